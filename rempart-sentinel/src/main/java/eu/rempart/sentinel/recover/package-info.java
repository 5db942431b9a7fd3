/**
 * Rollback after an attack: {@link eu.rempart.sentinel.recover.Recovery} puts back, from the
 * newest snapshot taken before a given time, every file changed since then, and moves whatever it
 * replaces or cannot explain into a quarantine folder. Nothing is ever deleted.
 */
package eu.rempart.sentinel.recover;
