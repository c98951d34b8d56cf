/**
 * How a bad environment variable is reported. The message names the variable and the rule it breaks; the value is
 * shown too (it helps spot a typo) unless the variable holds a credential, whose value is never shown: not in the
 * start-up error, not in a log line, not to strategies.
 */
export function isSecretVariable(name: string): boolean {
  // A webhook URL is a credential too: Slack's, Discord's and most others carry their key in the path.
  return /SECRET|TOKEN|PASSWORD|API_KEY|WEBHOOK_URL/i.test(name);
}

/** One line per broken rule: `PORT must not be greater than 65535 (got "70000")`, `RAILS_TOKEN must be at least 16 characters`. */
export function validationProblem(variable: string, rule: string, value: unknown): string {
  const text = rule.startsWith(variable) ? rule : `${variable}: ${rule}`;
  return isSecretVariable(variable) ? text : `${text} (got ${JSON.stringify(value)})`;
}
