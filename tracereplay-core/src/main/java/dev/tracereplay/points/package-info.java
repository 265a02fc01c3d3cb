/**
 * The typed trace points: {@link dev.tracereplay.points.TraceMessage} (one message, decoded on
 * demand into a {@link dev.tracereplay.points.DecodeResult}), {@link dev.tracereplay.points.TracePoints}
 * (which protobuf class each message type carries), {@link dev.tracereplay.points.TraceMessageReader}
 * (the messages of a file), {@link dev.tracereplay.points.TraceMessageHandler} (a typed sink handler),
 * {@link dev.tracereplay.points.TracePrinter} and {@link dev.tracereplay.points.PrintingSink} (the
 * text and JSON formats) and {@link dev.tracereplay.points.TraceStats}. The protobuf classes of the
 * points are generated into {@code dev.tracereplay.points.common}, {@code .container},
 * {@code .sentry} and {@code .syscall}. API: every public type here and there.
 */
package dev.tracereplay.points;
