/** Firmware: the platform state machines, guests and ASID bookkeeping (docs/reference/psp-firmware.md §2, §3). */
import { changedClass, layerChanged, pathChanged } from './changes.js';
import { asidRanges } from './format.js';
import { current, type FrameProps } from './frame.js';
import { SEV_DIAGRAM, SNP_DIAGRAM, StateMachine } from './state-machine.js';

export function FirmwarePanel(props: FrameProps) {
  const { cur, prev } = current(props);
  const fw = cur.state.firmware;
  const views = cur.layers.firmware;
  return (
    <section id="panel-firmware" className="panel" aria-labelledby="h-firmware">
      <h2 id="h-firmware">PSP firmware · {fw.version}</h2>
      <div className="machines">
        <StateMachine
          machine={SEV_DIAGRAM}
          current={fw.sev}
          changed={pathChanged(cur.changed, 'firmware.sev')}
        />
        <StateMachine
          machine={SNP_DIAGRAM}
          current={fw.snp}
          changed={pathChanged(cur.changed, 'firmware.snp')}
        />
      </div>
      <dl className="facts">
        <dt>Committed image</dt>
        <dd className={changedClass(pathChanged(cur.changed, 'firmware.committedVersion'))}>
          {fw.committedVersion}
        </dd>
        <dt>RMP initialised</dt>
        <dd className={changedClass(pathChanged(cur.changed, 'firmware.rmpInitialised'))}>
          {fw.rmpInitialised ? 'yes' : 'no'}
        </dd>
        <dt>Ciphertext hiding</dt>
        <dd
          className={changedClass(
            pathChanged(cur.changed, 'firmware.ciphertextHiding') ||
              pathChanged(cur.changed, 'firmware.maxSnpAsid'),
          )}
        >
          {fw.ciphertextHiding ? `on, MAX_SNP_ASID ${fw.maxSnpAsid}` : 'off'}
        </dd>
        <dt>ASIDs in use</dt>
        <dd className={changedClass(layerChanged(prev?.layers, cur.layers, (l) => l.firmware.asids.inUse))}>
          {asidRanges(views.asids.inUse)}
        </dd>
        <dt>ASIDs dirty</dt>
        <dd className={changedClass(layerChanged(prev?.layers, cur.layers, (l) => l.firmware.asids.dirty))}>
          {asidRanges(views.asids.dirty)}
        </dd>
      </dl>
      {views.guests.length > 0 && (
        <table className="guests">
          <caption>Guests</caption>
          <thead>
            <tr>
              <th>kind</th>
              <th>handle</th>
              <th>state</th>
              <th>ASID</th>
            </tr>
          </thead>
          <tbody>
            {views.guests.map((g) => (
              <tr key={`${g.kind}-${g.handle}`}>
                <td>{g.kind}</td>
                <td>{g.handle}</td>
                <td>{g.state}</td>
                <td>{g.asid}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
