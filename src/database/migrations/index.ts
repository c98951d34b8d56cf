import { InitialSchema1795573417402 } from './1795573417402-InitialSchema';

/** Ordered list of schema migrations (new ones come from `npm run migration:generate -- src/database/migrations/Name`). */
export const MIGRATIONS: Function[] = [InitialSchema1795573417402];
