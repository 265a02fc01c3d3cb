package dev.tracereplay.junit5;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that the tests run through {@link EngineRuns}, some of which fail on purpose:
 * it is skipped when an IDE or a {@code -Dtest=...*} pattern picks it up directly.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(EngineTestKitOnly.Condition.class)
@interface EngineTestKitOnly {
  /** The configuration parameter {@link EngineRuns} sets. */
  String PARAMETER = "tracereplay.test.engineTestKit";

  /** Enables the class only when run by {@link EngineRuns}. */
  final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(PARAMETER).isPresent()
          ? ConditionEvaluationResult.enabled("run through EngineRuns")
          : ConditionEvaluationResult.disabled("run only through EngineRuns, by the test class enclosing it");
    }
  }
}
