/**
 * Rewriting snapshots: their trees are rewritten by a rule (entries removed or folders emptied),
 * the changed trees stored, and new snapshots written in place of the old ones (restic's
 * {@code rewrite}, and the basis of {@code repair snapshots}).
 */
package eu.rempart.vault.rewrite;
