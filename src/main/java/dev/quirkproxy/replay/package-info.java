/** Replaying captures: against a live server (replay client) or to live clients (replay server). */
package dev.quirkproxy.replay;
