export function BackupsPage() {
  return (
    <section className="card" aria-labelledby="backups-title">
      <h2 id="backups-title">Backups</h2>
    </section>
  );
}
