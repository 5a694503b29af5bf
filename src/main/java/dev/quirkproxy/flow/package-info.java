/** The extension point: interceptors see each part with its session and return a verdict. */
package dev.quirkproxy.flow;
