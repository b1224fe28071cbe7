import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate and its private key, as PEM text and as files. */
export interface Identity {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** Everything the TLS suite needs, made fresh for each run. */
export interface TestCertificates {
  /** The CA the tests trust (`ssl: { ca }`, `sslrootcert`): it signed `server` and `interceptor`. */
  ca: string;
  caFile: string;
  /** Another CA that signed nothing the server presents: trusting only it must fail. */
  untrustedCa: string;
  untrustedCaFile: string;
  /** The server's identity: a certificate for `localhost` only (not for 127.0.0.1). */
  server: Identity;
  /**
   * A second certificate for `localhost` from the same trusted CA: what an interceptor holding a
   * certificate the client trusts presents. Channel binding must tell it from `server`.
   */
  interceptor: Identity;
}

const INSTALL_HINT =
  'The TLS suite makes its certificates with the openssl command, which was not found. Install it ' +
  '(Debian/Ubuntu: `apt-get install -y openssl`; macOS: it ships with the system) or put it on PATH.';

/**
 * Makes a CA of the test's own and certificates signed by it, with the `openssl` command, in
 * `dir`. EC P-256 keys: made in milliseconds where RSA takes a noticeable while on a loaded
 * machine. Valid for two days, so a run near midnight cannot fail on dates. Throws, with how to
 * install it, when there is no openssl.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  checkOpenssl();
  const ca = makeCa(dir, 'ca', 'tododb test CA');
  const untrusted = makeCa(dir, 'untrusted-ca', 'tododb untrusted CA');
  return {
    ca: ca.cert,
    caFile: ca.certFile,
    untrustedCa: untrusted.cert,
    untrustedCaFile: untrusted.certFile,
    server: makeLeaf(dir, 'server', ca, 'localhost'),
    interceptor: makeLeaf(dir, 'interceptor', ca, 'localhost'),
  };
}

function makeCa(dir: string, name: string, commonName: string): Identity {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  openssl([
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-days',
    '2',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return read(certFile, keyFile);
}

// A leaf certificate whose only name is `dnsName`: a host name check against any other name,
// 127.0.0.1 included, must fail.
function makeLeaf(dir: string, name: string, ca: Identity, dnsName: string): Identity {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, [`subjectAltName=DNS:${dnsName}`, 'basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth', ''].join('\n'));
  openssl([
    'req',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    keyFile,
    '-out',
    csrFile,
    '-subj',
    `/CN=${dnsName}`,
  ]);
  // -set_serial: two leaves of one CA must not share a serial number, or TLS stacks may mix them up.
  const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
  openssl([
    'x509',
    '-req',
    '-days',
    '2',
    '-in',
    csrFile,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-set_serial',
    serial,
    '-extfile',
    extFile,
    '-out',
    certFile,
  ]);
  return read(certFile, keyFile);
}

function read(certFile: string, keyFile: string): Identity {
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

function checkOpenssl(): void {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(INSTALL_HINT);
  }
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}
