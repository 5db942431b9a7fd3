/**
 * Repairs of a damaged repository, as restic's {@code repair} commands: {@link IndexRepair}
 * rebuilds the index from the packs the store holds.
 */
package eu.rempart.vault.repair;
