package eu.rempart.cli;

/** An error to report as one translated line, with the process exit code. */
final class CliException extends RuntimeException {
    private final int exitCode;
    private final String key;
    private final transient Object[] args;

    CliException(int exitCode, String key, Object... args) {
        super(key, null, false, false);
        this.exitCode = exitCode;
        this.key = key;
        this.args = args;
    }

    int exitCode() {
        return exitCode;
    }

    String render(Messages m) {
        return m.get(key, args);
    }
}
