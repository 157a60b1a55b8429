/**
 * Certificates rendered per second on one core (`npm run bench:certificate`).
 *
 * Measures one process (node is single-threaded): signing and QR encoding alone (SHC; SHC + VDS-NC)
 * and the full PDF (domestic; overseas), plus the straightforward approach for comparison (font
 * parsed by pdfkit for every document, QR codes as PNG images from bwip-js). Both wall-clock and
 * CPU-time rates are printed: on a shared machine the CPU-time rate is the per-core figure.
 * Keys are throwaway (generated here); nothing is read from certs/out.
 *
 * The "same record" rows render one holder over and over, so every per-string layout cache hits;
 * the "varied holders" rows give each document the next of a fixed synthetic population (names,
 * dates, lots, passport numbers and certificate IDs differ), as a relay sees. Quote the varied rows.
 */
import 'reflect-metadata';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';
import { demoResidents } from '../certs/demo-cast.js';
import { createCertificateBuilder } from '../services/certificate/builder.js';
import { notoSansJpPaths } from '../services/certificate/pdf/fonts.js';
import { shcKeyId } from '../services/certificate/shc/jwks.js';
import type { CertificateRecord } from '../services/common/lgwan-contract.js';
import { syntheticResidents, type SyntheticResident } from '../services/vrs/seed/synthetic.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

async function signerCertDer(): Promise<{ privateKey: CryptoKey; certDer: Uint8Array }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'C=JP, CN=Bench VDS-NC Signer',
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.ExtendedKeyUsageExtension(['2.23.136.1.1.14.2'])],
  });
  return { privateKey: keys.privateKey, certDer: new Uint8Array(cert.rawData) };
}

function records(): { domestic: CertificateRecord; overseas: CertificateRecord } {
  const p = demoResidents.find((r) => r.slug === 'sato-hanako')!;
  const rec = p.records[1]!;
  const overseas: CertificateRecord = {
    certificateId: 'K1222460201',
    kind: 'overseas',
    issuedOn: '2026-11-23',
    issuer: { code: '122246', name: '鎌ケ谷市' },
    person: {
      name: `${p.familyName}\u3000${p.givenName}`,
      familyName: p.familyName,
      givenName: p.givenName,
      birthDate: p.birthDate,
      sex: p.sex,
      passport: rec.passport!,
    },
    doses: rec.doses.map(({ venue: _v, ...d }) => d),
  };
  const { passport: _pp, ...person } = overseas.person;
  return { overseas, domestic: { ...overseas, certificateId: 'D1222460201', kind: 'domestic', person } };
}

/** Residents of the varied rows: more than a run renders, so no holder repeats (fixed seed). */
const POPULATION = 50_000;

/** The certificate of the `i`th synthetic resident (its own certificate ID). */
function residentRecord(r: SyntheticResident, i: number, kind: 'domestic' | 'overseas'): CertificateRecord {
  return {
    certificateId: `${kind === 'overseas' ? 'K' : 'D'}162027${String(i).padStart(5, '0')}`,
    kind,
    issuedOn: '2026-11-23',
    issuer: { code: '162027', name: '高岡市' },
    person: {
      name: `${r.familyName}\u3000${r.givenName}`,
      familyName: r.familyName,
      givenName: r.givenName,
      birthDate: r.birthDate,
      sex: r.sex,
      ...(kind === 'overseas' ? { passport: r.passport! } : {}),
    },
    doses: r.doses.map(({ venue: _v, ...d }) => d),
  };
}

/** A function returning the next holder's record on each call (a distinct resident each time). */
function variedRecords(kind: 'domestic' | 'overseas'): () => CertificateRecord {
  const residents = syntheticResidents(POPULATION, 7, '162027').filter((r) => kind === 'domestic' || r.passport);
  let i = 0;
  return () => {
    const n = i++;
    return residentRecord(residents[n % residents.length]!, n, kind);
  };
}

interface Figure {
  name: string;
  n: number;
  wallPerSec: number;
  cpuPerSec: number;
}

async function measure(name: string, seconds: number, fn: () => unknown): Promise<Figure> {
  for (let i = 0; i < 5; i++) await fn(); // warm-up (JIT, caches)
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await fn();
    n++;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  return { name, n, wallPerSec: n / wall, cpuPerSec: n / cpuSec };
}

/** The straightforward rendering: font read and parsed per document, PNG QR images. */
async function naiveDomestic(shc: string): Promise<Buffer> {
  const png: Buffer = await (bwipjs.toBuffer({ bcid: 'qrcode', text: shc, scale: 3, eclevel: 'L' } as Parameters<
    typeof bwipjs.toBuffer
  >[0]) as unknown as Promise<Buffer>);
  const doc = new PDFDocument({ size: 'A4', margin: 40 });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
  });
  doc.font(notoSansJpPaths().regular).fontSize(17).text('新型コロナウイルス感染症予防接種証明書', { align: 'center' });
  doc.fontSize(11).text('氏名 佐藤 花子 / 生年月日 1975-11-23 / 1回目 2021-07-05 コミナティ筋注（ファイザー） FF2782');
  doc.image(png, 200, 500, { width: 150 });
  doc.end();
  return done;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const shcKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const builder = createCertificateBuilder({
  shcIssuerUrl: 'https://bench.example/shc',
  shcKey: { privateKey: shcKey, kid: await shcKeyId(shcKey) },
  vdsSigner: await signerCertDer(),
});
const { domestic, overseas } = records();
const variedDomestic = variedRecords('domestic');
const variedOverseas = variedRecords('overseas');
const figures = [
  await measure('codes: SHC only (sign + QR matrix)', seconds, () => builder.codes(domestic)),
  await measure('codes: SHC + VDS-NC', seconds, () => builder.codes(overseas)),
  await measure('full PDF: domestic, same record', seconds, () => builder.build(domestic)),
  await measure('full PDF: overseas, same record', seconds, () => builder.build(overseas)),
  await measure('full PDF: domestic, varied holders', seconds, () => builder.build(variedDomestic())),
  await measure('full PDF: overseas, varied holders', seconds, () => builder.build(variedOverseas())),
  await measure('straightforward PDF (font parsed per doc, PNG QR)', seconds, () => naiveDomestic(builder.codes(domestic).shc)),
];
console.log(`certificate rendering, one process, ${seconds}s each (node ${process.version})`);
console.log('what                                                 n   per s (wall)  per s (CPU time)');
for (const f of figures)
  console.log(`${f.name.padEnd(50)} ${String(f.n).padStart(5)} ${f.wallPerSec.toFixed(1).padStart(13)} ${f.cpuPerSec.toFixed(1).padStart(17)}`);
console.log('(quote the varied-holder rows: the same-record rows reuse every per-string layout result)');
