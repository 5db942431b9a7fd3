/**
 * Sentinel: ransomware detection on the machine (content and behaviour indicators, canary files),
 * containment of the writing processes, network isolation, and recovery from the vault.
 */
package eu.rempart.sentinel;
