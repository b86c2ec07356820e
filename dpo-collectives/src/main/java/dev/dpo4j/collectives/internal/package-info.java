/**
 * How the providers work: the rendezvous (a small TCP key-value store that rank 0 serves at
 * {@code MASTER_ADDR:MASTER_PORT}), the JNI shim over Gloo ({@code src/main/native/dpo4j_gloo.cpp}, compiled by the
 * Maven build into the jar) and its loader.
 */
package dev.dpo4j.collectives.internal;
