/**
 * The one list of what HiQ treats as secret, shared by every module that shows captured text
 * (the agent's core, the consumer): {@link io.hiq.tree.redact.SecretNames} for names,
 * {@link io.hiq.tree.redact.SecretValues} for secrets recognised by their shape inside any text.
 */
package io.hiq.tree.redact;
