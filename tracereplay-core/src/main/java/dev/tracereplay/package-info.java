/**
 * The front door: {@link dev.tracereplay.TraceReplayer} replays a recorded trace into a sink,
 * {@link dev.tracereplay.TraceRecorder} records the clients of an endpoint to files;
 * {@link dev.tracereplay.ReplayResult}, {@link dev.tracereplay.ReplayException} and
 * {@link dev.tracereplay.ReplayListener} go with them. API: every public type here.
 *
 * <p>The library's API is the packages its module {@code dev.tracereplay.core} exports, listed
 * with each public member in {@code tracereplay-core/api/public-api.txt} and checked by the build;
 * {@code dev.tracereplay.cli} is not part of it.
 */
package dev.tracereplay;
