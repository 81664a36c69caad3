import { ApiError } from '../api/apiRequest';

/** What a settings section says when the server refused a change: its own words for an API error, a plain line for anything else. */
export const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'Something went wrong.');
