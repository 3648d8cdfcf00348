/**
 * @hotline-crm/topics as a library: what a Node program integrating the Hotline CRM Topics API
 * imports. The client (with its retries, pacing, deadlines and redaction), topic links, and the
 * message: rendering a Liquid template safely and fitting it into Telegram's limit. And the command
 * line itself (`runCommandLine`), which the package's `hotline-topics` bin runs.
 */
export { DEFAULT_ENDPOINT, TopicsClient, type AuditLog, type TopicsClientOptions } from './topics/client.js';
export type { MessageSent, TopicInfo } from './topics/api-types.js';
export { parseTopicLink, topicLink, TOPIC_LINK_FORM, type TopicLinkResult, type TopicRef } from './topics/links.js';
export { RateLimiter, realClock, type Clock } from './topics/pacing.js';
export { RETRYABLE_STATUSES } from './net/retry.js';
export {
  loadTemplate,
  renderMessage,
  renderMessageChecked,
  TEMPLATE_LIMITS,
  type CheckedMessage,
  type MessageTemplate,
  type TemplateWarning,
} from './message/template.js';
export { fitMessage, MAX_PARTS, type FittedMessage } from './message/compose.js';
export { MIN_SPLIT_LENGTH, splitMessage } from './message/split.js';
export { ELLIPSIS, truncateMessage, type Truncated } from './message/truncate.js';
export { ApiError, errorMessage, InputError, TemplateError, type FailureKind } from './errors.js';
export { REDACTED, Redactor } from './redact.js';
export { TELEGRAM_LIMIT } from './delivery/inputs.js';
export { main as runCommandLine, type Streams as CommandLineStreams } from './cli/main.js';
