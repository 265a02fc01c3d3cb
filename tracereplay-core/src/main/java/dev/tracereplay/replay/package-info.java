/**
 * Shaping a replay: {@link dev.tracereplay.replay.ReplayShape} (which messages, which
 * {@link dev.tracereplay.replay.Fault}s, what {@link dev.tracereplay.replay.Pacing}, the seed),
 * {@link dev.tracereplay.replay.MessageRange}, {@link dev.tracereplay.replay.ShapeException} for a
 * bad spelling, and {@link dev.tracereplay.replay.ReplayClock} for a replay's time. API: those;
 * {@code ReplayPlan} (one replay's decisions) is public only for the replayer and the command line,
 * and is not API.
 */
package dev.tracereplay.replay;
