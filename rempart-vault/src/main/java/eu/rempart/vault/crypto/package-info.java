/**
 * restic's repository cryptography (design.rst, "Keys, Encryption and MAC"): {@link
 * eu.rempart.vault.crypto.MasterKey} seals data as {@code IV || AES-256-CTR ciphertext ||
 * Poly1305-AES(ciphertext)}, and {@link eu.rempart.vault.crypto.KeyFile} stores the master key
 * sealed under a key that scrypt derives from a password.
 */
package eu.rempart.vault.crypto;
