/** JMH micro-benchmarks of the vault's hot paths (chunker, crypto, hashing, compression). */
package eu.rempart.bench;
