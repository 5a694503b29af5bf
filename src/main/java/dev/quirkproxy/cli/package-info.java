/** The picocli command line: parses options into config records and starts things. */
package dev.quirkproxy.cli;
