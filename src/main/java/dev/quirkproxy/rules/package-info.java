/** JSON quirk rules: loaded and compiled from files, matched against frames, applied as actions. */
package dev.quirkproxy.rules;
