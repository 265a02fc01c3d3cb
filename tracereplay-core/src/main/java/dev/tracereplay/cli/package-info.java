/**
 * The {@code tracereplay} command line. Not API, and not exported by the module: only
 * {@link dev.tracereplay.cli.Tracereplay}, the main class the launcher runs, is public.
 */
package dev.tracereplay.cli;
