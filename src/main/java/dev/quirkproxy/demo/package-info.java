/** An embedded GreenMail server with a seeded mailbox, the upstream of the demo mode. */
package dev.quirkproxy.demo;
