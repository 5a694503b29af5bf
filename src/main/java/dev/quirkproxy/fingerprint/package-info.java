/** Client fingerprinting: which mail client is talking, from its tags, ID, verbs and habits. */
package dev.quirkproxy.fingerprint;
