/** What the Topics API answers on success, as plain types (the checks are in answers.ts). */

/** `incoming_in_topic` succeeded: the message is in the topic. Other fields the API sends are kept. */
export interface MessageSent {
  result: 'message_sent';
  topic_link?: string | undefined;
  message?: string | undefined;
  chat_id?: number | string | undefined;
  thread_id?: number | string | undefined;
  [field: string]: unknown;
}

/** `info_by_topic`: a user topic (`frontend_type: private`, `user_*` fields) or a chat topic (`group`). */
export interface TopicInfo {
  result: 'topic_info';
  user_id?: number | string | undefined;
  topic_status?: string | undefined;
  topic_title?: string | undefined;
  topic_last_date?: string | number | undefined;
  frontend_type?: string | undefined;
  instance_name?: string | undefined;
  user_name?: string | undefined;
  user_first_name?: string | undefined;
  user_username?: string | undefined;
  user_lang?: string | undefined;
  [field: string]: unknown;
}
