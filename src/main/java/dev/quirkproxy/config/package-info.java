/** The proxy's config file: the model of its listeners, loading with located errors, resolving. */
package dev.quirkproxy.config;
