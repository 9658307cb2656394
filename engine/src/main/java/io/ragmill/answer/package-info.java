/**
 * Answer generation from retrieved chunks: extractive by default; remote LLM generators plug in
 * behind {@link io.ragmill.answer.AnswerGenerator}.
 */
package io.ragmill.answer;
