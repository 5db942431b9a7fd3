package eu.rempart.cli;

import eu.rempart.vault.VaultException;
import eu.rempart.vault.lock.Lock;
import picocli.CommandLine;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Entry point of bin/rempart. */
public final class Main {
    static final String VERSION = "0.1.0";

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, System.getenv(), System.console());
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command in-process without a terminal (no prompt, no progress); returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, out, err, env, null);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, Console console) {
        if (opensARepository(args)) {
            eu.rempart.vault.crypto.KeyFile.warmUp();
        }
        Cli cli = new Cli(out, err, env, console);
        CommandLine cl = new CommandLine(cli);
        addSubcommands(cl, args);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // Read before parsing, which may fail before it reaches --lang.
        String lang = lang(args, env);
        if (asksForHelp(args) && !Messages.isEnglish(lang)) {
            cl.setResourceBundle(frenchHelp());
        }
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("rempart: " + usageError(Messages.of(lang), ex));
            return ExitCodes.ERROR;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(cli, ex));
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Commands that derive a repository key from its password, unless only their help is asked for. */
    private static final java.util.Set<String> KEYED = java.util.Set.of("backup", "snapshots", "ls", "find", "dump", "diff", "stats",
            "restore", "check", "tag", "rewrite", "key", "unlock", "forget", "prune", "repair", "migrate", "list", "cat", "copy", "retention", "protect", "recover");

    static boolean opensARepository(String[] args) {
        return !asksForHelp(args) && Arrays.stream(args).anyMatch(KEYED::contains);
    }

    /**
     * Only a run that prints its help needs the translated help, and loading it costs a few
     * milliseconds that every command would pay.
     */
    static boolean asksForHelp(String[] args) {
        return Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help");
    }

    /** The help's French texts; the English ones are in the annotations. */
    static java.util.ResourceBundle frenchHelp() {
        return java.util.ResourceBundle.getBundle("eu.rempart.cli.help", java.util.Locale.FRENCH,
                java.util.ResourceBundle.Control.getNoFallbackControl(java.util.ResourceBundle.Control.FORMAT_PROPERTIES));
    }

    /** The language the arguments ({@code --lang}) or environment ask for, or null. */
    static String lang(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--lang=")) {
                return args[i].substring("--lang=".length());
            }
            if (args[i].equals("--lang") && i + 1 < args.length) {
                return args[i + 1];
            }
        }
        return env.get("REMPART_LANG");
    }

    /**
     * A usage error in the user's language, pointing at the help of the command concerned. picocli's
     * own (English) text is kept for the rarer cases, such as an option given twice.
     */
    static String usageError(Messages m, CommandLine.ParameterException ex) {
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        // picocli reports a missing parameter before an unknown one, which is usually its cause (a typo).
        List<String> unknown = ex instanceof CommandLine.UnmatchedArgumentException u ? u.getUnmatched()
                : ex.getCommandLine().getUnmatchedArguments();
        String what;
        if (!unknown.isEmpty()) {
            what = m.get("error.unknownArgument", String.join(" ", unknown));
        } else if (ex instanceof CommandLine.MissingParameterException mp && !mp.getMissing().isEmpty()) {
            // "-e" alone: its value is what is missing, not the option
            boolean value = String.valueOf(ex.getMessage()).contains("for option");
            what = m.get(value ? "error.missingValue" : "error.missingParameter", mp.getMissing().stream()
                    .map(a -> a instanceof CommandLine.Model.OptionSpec o ? o.longestName() : a.paramLabel())
                    .collect(java.util.stream.Collectors.joining(", ")));
        } else if (ex.getClass() == CommandLine.ParameterException.class && !spec.subcommands().isEmpty()
                && String.valueOf(ex.getMessage()).startsWith("Missing required subcommand")) {
            what = m.get("error.missingCommand");
        } else if (ex.getArgSpec() != null && ex.getValue() != null
                && String.valueOf(ex.getMessage()).startsWith("Invalid value")) {
            // a value picocli could not convert (a number, an enum): the option and the value, not Java's type names
            CommandLine.Model.ArgSpec arg = ex.getArgSpec();
            what = m.get("error.invalidValue", arg instanceof CommandLine.Model.OptionSpec o ? o.longestName()
                    : arg.paramLabel(), ex.getValue());
        } else {
            what = m.get("error.usage", ex.getMessage());
        }
        return m.get("error.seeHelp", what, spec.qualifiedName());
    }

    /**
     * Registers the sub-commands the arguments name, or all of them when none is named (help, usage
     * errors). Building picocli's model of every command by reflection took about a third of a
     * second of each run's start-up, for one command used.
     */
    static void addSubcommands(CommandLine cl, String[] args) {
        java.util.Set<String> words = new java.util.HashSet<>(java.util.Arrays.asList(args));
        List<Class<?>> named = new java.util.ArrayList<>();
        for (Class<?> c : Cli.COMMANDS) {
            if (words.contains(c.getAnnotation(CommandLine.Command.class).name())) {
                named.add(c);
            }
        }
        for (Class<?> c : named.isEmpty() ? Cli.COMMANDS : named) {
            cl.addSubcommand(c.getAnnotation(CommandLine.Command.class).name(), c);
        }
        CommandLine vault = cl.getSubcommands().get("vault");
        if (vault != null) {
            without(vault.getSubcommands().get("serve").getCommandSpec(),
                    "--repo", "--option", "--cacert", "--password-file", "--no-cache", "--cache-dir");
        }
        CommandLine cache = cl.getSubcommands().get("cache");
        if (cache != null) {
            without(cache.getCommandSpec(), "--repo", "--option", "--cacert", "--password-file", "--no-cache");
        }
    }

    /**
     * The server and {@code cache} open no repository: the options every command inherits to reach
     * one (which repository, its password, cache, backend options) would only mislead in their
     * help, and are refused if given.
     */
    private static void without(CommandLine.Model.CommandSpec spec, String... options) {
        for (String name : options) {
            CommandLine.Model.OptionSpec o = spec.findOption(name);
            if (o != null) {
                spec.remove(o);
            }
        }
    }

    /** One clear line on stderr per failure; a stack trace only with --debug. */
    static int report(Cli cli, Throwable ex) {
        Messages m = cli.msg();
        if (ex instanceof UncheckedIOException u) {
            ex = u.getCause();
        }
        int code = ex instanceof CliException ce ? ce.exitCode()
                : ex instanceof Lock.LockedException ? ExitCodes.LOCKED : ExitCodes.ERROR;
        String line;
        java.util.Optional<String> explained = m.failures().explain(ex);
        if (ex instanceof CliException ce && explained.isEmpty()) {
            line = ce.render(m);
        } else if (explained.isPresent()) {
            line = explained.get();
        } else if (ex instanceof VaultException) {
            line = m.get("error.generic", ex.getMessage());
        } else if (ex instanceof FileAlreadyExistsException e) {
            line = m.get("error.exists", e.getFile());
        } else if (ex instanceof IOException) {
            line = m.get("error.io", String.valueOf(ex.getMessage()));
        } else {
            line = m.get("error.internal", ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
        cli.err.println("rempart: " + line);
        if (cli.debug) {
            ex.printStackTrace(cli.err);
        }
        return code;
    }
}
