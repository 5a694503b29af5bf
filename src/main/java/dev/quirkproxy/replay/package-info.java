/** A mock upstream that answers live clients with the server's side of a recorded capture. */
package dev.quirkproxy.replay;
