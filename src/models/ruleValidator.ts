/**
 * Turns one of the rules of rules.ts into a Sequelize custom validator, so the models and the
 * service layer enforce the same rule with the same words.
 *
 * Sequelize runs custom validators on null too, even with `allowNull`; a nullable field
 * therefore lets null through here.
 */
export function ruleValidator(field: string, problem: (value: string) => string | undefined, options: { nullable?: boolean } = {}) {
  return (value: unknown): void => {
    if (options.nullable && (value === null || value === undefined)) return;
    const found = typeof value === 'string' ? problem(value) : 'must be a string';
    if (found) throw new Error(`${field} ${found}`);
  };
}
