package dev.tracereplay.junit5;

import java.util.HashMap;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs one test class through {@link EngineRuns} in a JVM of its own (to give it another
 * environment, e.g. {@code CI=true}) and prints, one line each, every failure's message, then
 * {@code passed N}. Arguments: the class name, then configuration parameters as {@code key=value}.
 */
final class EngineMain {
  private EngineMain() {}

  public static void main(String[] args) throws ClassNotFoundException {
    Map<String, String> configuration = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] parameter = args[i].split("=", 2);
      configuration.put(parameter[0], parameter[1]);
    }
    Events tests = EngineRuns.run(Class.forName(args[0]), configuration);
    tests.failed().stream()
        .map(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .forEach(failure -> System.out.println("FAILED " + failure.getMessage().replace('\n', ' ')));
    System.out.println("passed " + tests.succeeded().count());
  }
}
