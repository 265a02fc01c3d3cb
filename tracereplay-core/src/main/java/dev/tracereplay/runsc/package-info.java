/**
 * Running a real sandbox under runsc with a trace session: {@link dev.tracereplay.runsc.Runsc}
 * ({@code Runsc.sandbox()}, {@code Runsc.metadata()}), {@link dev.tracereplay.runsc.Sandbox},
 * {@link dev.tracereplay.runsc.SandboxRecording}, {@link dev.tracereplay.runsc.TracePreset},
 * {@link dev.tracereplay.runsc.RunscMetadata} and their exceptions. API: every public type here.
 */
package dev.tracereplay.runsc;
