/**
 * Telling people when something goes wrong: a {@link eu.rempart.agent.notify.Notification} (a failed
 * run, a backup that has not happened, the daily summary) rendered in French (default) or English and
 * sent by e-mail ({@link eu.rempart.agent.notify.SmtpNotifier}) or to a webhook
 * ({@link eu.rempart.agent.notify.WebhookNotifier}); {@link eu.rempart.agent.notify.Notifiers} sends
 * to every configured channel. Passwords and tokens never appear in messages, logs or
 * {@code toString()}.
 */
package eu.rempart.agent.notify;
