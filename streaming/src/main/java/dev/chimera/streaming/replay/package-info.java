/**
 * The load generator behind {@code stream replay}: a time-series table as a stream of observations
 * ({@link dev.chimera.streaming.replay.TableObservations}) appended at a paced rate
 * ({@link dev.chimera.streaming.replay.Pacer}).
 */
package dev.chimera.streaming.replay;
