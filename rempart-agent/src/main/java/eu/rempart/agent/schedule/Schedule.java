package eu.rempart.agent.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A cron expression (the five Unix fields, or {@code @hourly}, {@code @daily}, {@code @weekly},
 * {@code @monthly}) and its firing times in a time zone, daylight-saving changes included.
 */
public final class Schedule {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String text;
    private final ExecutionTime times;

    private Schedule(String text, ExecutionTime times) {
        this.text = text;
        this.times = times;
    }

    /** @throws IllegalArgumentException naming the expression and what is wrong with it */
    public static Schedule parse(String text) {
        String t = text == null ? "" : text.strip();
        String expanded = switch (t) {
            case "@hourly" -> "0 * * * *";
            case "@daily", "@midnight" -> "0 0 * * *";
            case "@weekly" -> "0 0 * * 0";
            case "@monthly" -> "0 0 1 * *";
            default -> t;
        };
        try {
            Cron cron = PARSER.parse(expanded);
            cron.validate();
            return new Schedule(t, ExecutionTime.forCron(cron));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid cron expression \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /** The first firing time strictly after {@code after}. */
    public Optional<ZonedDateTime> next(ZonedDateTime after) {
        return times.nextExecution(after);
    }

    @Override
    public String toString() {
        return text;
    }
}
