/** Hardware: SYSCFG.SNPEn per core, the IOMMU, the RMP (docs/reference/psp-firmware.md §5.3 page states, §8). */
import { changedClass, layerChanged, pathChanged } from './changes.js';
import { current, type FrameProps } from './frame.js';

export function HardwarePanel(props: FrameProps) {
  const { cur, prev } = current(props);
  const hw = cur.layers.hardware;
  const host = cur.state.host;
  const prevLayers = prev?.layers;
  const snpEnCount = hw.snpEnPerCore.filter(Boolean).length;
  const offline = hw.onlinePerCore.filter((on) => !on).length;
  return (
    <section id="panel-hardware" className="panel" aria-labelledby="h-hardware">
      <h2 id="h-hardware">Hardware · {hw.cpu}</h2>
      <dl className="facts">
        <dt>Host SNP (CC_ATTR_HOST_SEV_SNP)</dt>
        <dd className={changedClass(pathChanged(cur.changed, 'host.snp'))}>
          {host.snp ? 'enabled' : 'disabled'}
        </dd>
        <dt>SYSCFG.SNPEn</dt>
        <dd
          className={changedClass(
            pathChanged(cur.changed, 'host.snpEn') ||
              layerChanged(prevLayers, cur.layers, (l) => l.hardware.snpEnPerCore),
          )}
          data-testid="snpen-summary"
        >
          set on {snpEnCount} of {hw.snpEnPerCore.length} cores
          {offline ? ` (${offline} offline)` : ''}
        </dd>
      </dl>
      <div
        className="cores"
        role="img"
        aria-label={`SNPEn on ${snpEnCount} of ${hw.snpEnPerCore.length} cores`}
      >
        {hw.snpEnPerCore.map((on, core) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: cores are identified by their index
            key={core}
            className={`core ${on ? 'on' : 'off'} ${hw.onlinePerCore[core] === false ? 'offline' : ''}`}
            title={`core ${core}: SNPEn ${on ? '1' : '0'}${hw.onlinePerCore[core] === false ? ', offline' : ''}`}
          />
        ))}
      </div>
      <dl className="facts">
        <dt>IOMMU</dt>
        <dd
          className={changedClass(
            pathChanged(cur.changed, 'host.iommu') ||
              layerChanged(prevLayers, cur.layers, (l) => l.hardware.iommu),
          )}
          data-testid="iommu"
        >
          {hw.iommu.mode}, SNP enforcement {hw.iommu.snpEnforced ? 'on' : 'off'}
        </dd>
        <dt>Ciphertext hiding (memory controller)</dt>
        <dd
          className={changedClass(layerChanged(prevLayers, cur.layers, (l) => l.hardware.ciphertextHiding))}
        >
          {hw.ciphertextHiding ? 'on' : 'off'}
        </dd>
      </dl>
      <table className="rmp">
        <caption>RMP pages by state</caption>
        <tbody>
          {Object.entries(hw.rmpCounts).map(([pageState, count]) => (
            <tr
              key={pageState}
              className={changedClass(
                layerChanged(prevLayers, cur.layers, (l) => l.hardware.rmpCounts[pageState] ?? 0),
              )}
            >
              <th scope="row">{pageState}</th>
              <td>{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
