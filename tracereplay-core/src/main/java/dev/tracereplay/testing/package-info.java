/**
 * A sink for tests of code that sends trace sessions, with no test framework in it:
 * {@link dev.tracereplay.testing.RecordingSink} keeps what it receives as
 * {@link dev.tracereplay.testing.ReceivedMessage}s and {@link dev.tracereplay.testing.SinkConnection}s.
 * API: every public type here.
 */
package dev.tracereplay.testing;
