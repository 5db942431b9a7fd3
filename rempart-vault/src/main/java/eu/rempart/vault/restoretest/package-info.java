/**
 * The restore test: proof that backups can really be restored. {@link
 * eu.rempart.vault.restoretest.RestoreTest#run} restores a random sample of a snapshot's files
 * into a scratch folder with the real restorer, checks every chunk against its blob id (a blob id
 * is the SHA-256 of its plaintext) and against the original when it is unchanged, names every file
 * whose pack is damaged or missing, and deletes the restored (patient) data whatever happens.
 */
package eu.rempart.vault.restoretest;
