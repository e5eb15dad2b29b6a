/** What a check with a schedule offers its routes (the app's release check, the update check). */
export interface ScheduledCheck<Report, Settings> {
  report(nextCheckAt: Date | undefined): Report;
  check(): Promise<unknown>;
  setSettings(settings: Settings): void;
}

/** The schedule of a check, as its routes see it. */
export interface CheckScheduleDeps {
  /** When the scheduled check runs next (undefined: off). */
  nextCheckAt: () => Date | undefined;
  /** The settings changed: the schedule follows them. */
  settingsChanged: () => void;
}

/** The report as the store has it now (for the routes beyond the three). */
export function scheduledReport<Report>(
  service: () => ScheduledCheck<Report, never>,
  schedule: CheckScheduleDeps,
): Report {
  return service().report(schedule.nextCheckAt());
}

/**
 * The handlers of contract/scheduled-check-routes.ts's `<name>`, `<name>Check` and
 * `<name>Settings`: reads answer from the store; a check answers in the request.
 */
export function scheduledCheckHandlers<N extends string, Report, Settings>(
  name: N,
  service: () => ScheduledCheck<Report, Settings>,
  schedule: CheckScheduleDeps,
) {
  const report = () => scheduledReport(service, schedule);
  const read = async () => report();
  const check = async () => {
    await service().check();
    return report();
  };
  const put = async (settings: Settings) => {
    service().setSettings(settings);
    schedule.settingsChanged();
    return report();
  };
  return { [name]: read, [`${name}Check`]: check, [`${name}Settings`]: put } as Record<
    N,
    typeof read
  > &
    Record<`${N}Check`, typeof check> &
    Record<`${N}Settings`, typeof put>;
}
