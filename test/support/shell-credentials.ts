/**
 * Gives the in-process CLI AWS credentials the way a user's shell does (an environment's config
 * has no credentials field), for the emulator; returns what puts the environment back.
 */
export function useShellCredentials(): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' })) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
