/** Certificates, the proxy CA, TLS contexts for both sides, and the TLS key log. */
package dev.quirkproxy.tls;
