/**
 * Bounds uploads in progress, per user and in total, so a few slow uploads
 * cannot take the service from everyone else. An upload holds a slot from the
 * first byte until its submission is recorded.
 */
export interface UploadSlots {
  /** A slot for this user, or why there is none. */
  take(userId: number): { release(): void } | { refused: 'user' | 'total'; limit: number };
  inUse(): number;
}

export function createUploadSlots(maxTotal: number, maxPerUser: number): UploadSlots {
  const perUser = new Map<number, number>();
  let total = 0;
  return {
    take(userId) {
      const mine = perUser.get(userId) ?? 0;
      if (mine >= maxPerUser) return { refused: 'user', limit: maxPerUser };
      if (total >= maxTotal) return { refused: 'total', limit: maxTotal };
      perUser.set(userId, mine + 1);
      total += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          total -= 1;
          const left = (perUser.get(userId) ?? 1) - 1;
          if (left === 0) perUser.delete(userId);
          else perUser.set(userId, left);
        },
      };
    },
    inUse: () => total,
  };
}
