/**
 * Shaping a replay: {@link dev.tracereplay.replay.ReplayShape} (which messages, which
 * {@link dev.tracereplay.replay.Fault}s, what {@link dev.tracereplay.replay.Pacing}, the seed),
 * {@link dev.tracereplay.replay.MessageRange}, {@link dev.tracereplay.replay.ShapeException} for a
 * bad spelling, and {@link dev.tracereplay.replay.ReplayClock} for a replay's time. API: every public type
 * here (one replay's decisions are made in the unexported {@code dev.tracereplay.internal.replay}).
 */
package dev.tracereplay.replay;
