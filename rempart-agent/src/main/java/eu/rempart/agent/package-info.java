/**
 * The agent: one per machine, runs the backup schedule of its YAML configuration, records every run
 * in its local store and tells people when something goes wrong.
 */
package eu.rempart.agent;
