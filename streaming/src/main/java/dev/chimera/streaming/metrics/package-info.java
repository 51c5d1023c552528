/**
 * The stream consumer's observability: {@link dev.chimera.streaming.metrics.StreamMetrics} keeps the
 * latency of each observation (appended to the input queue until its outputs were appended) in an
 * HdrHistogram, copies the consumer's counts after each tick, serves both in the Prometheus text format
 * over HTTP ({@code --metrics-port}) and writes them as a one-line status.
 */
package dev.chimera.streaming.metrics;
