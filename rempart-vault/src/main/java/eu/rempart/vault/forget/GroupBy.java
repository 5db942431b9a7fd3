package eu.rempart.vault.forget;

/**
 * Which snapshot fields make the groups a policy is applied to separately (restic's
 * {@code --group-by}); none at all puts every snapshot in one group.
 */
public record GroupBy(boolean host, boolean paths, boolean tags) {
    /** restic's default, {@code host,paths}. */
    public static final GroupBy DEFAULT = new GroupBy(true, true, false);

    /**
     * Parses restic's syntax: a comma-separated list of {@code host}, {@code paths}, {@code tags}
     * (singulars accepted too); the empty string means no grouping. Like restic, spaces are not
     * trimmed.
     */
    public static GroupBy parse(String s) {
        boolean host = false;
        boolean paths = false;
        boolean tags = false;
        for (String option : s.split(",", -1)) {
            switch (option) {
                case "host", "hosts" -> host = true;
                case "path", "paths" -> paths = true;
                case "tag", "tags" -> tags = true;
                case "" -> {
                }
                default -> throw new IllegalArgumentException("unknown grouping option: '" + option + "'");
            }
        }
        return new GroupBy(host, paths, tags);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (host) {
            sb.append("host");
        }
        if (paths) {
            sb.append(sb.length() > 0 ? "," : "").append("paths");
        }
        if (tags) {
            sb.append(sb.length() > 0 ? "," : "").append("tags");
        }
        return sb.toString();
    }
}
