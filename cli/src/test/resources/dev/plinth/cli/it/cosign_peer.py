"""An independent reader and writer of cosign's formats for SigningIT, written from cosign's and
go-tuf's specifications on libsodium (PyNaCl's secretbox), OpenSSL (python3-cryptography) and
hashlib's scrypt: Debian packages, no plinth code.

  decrypt KEY PASSWORD_FILE            prints the public key PEM of a cosign private key
  generate PREFIX PASSWORD_FILE        writes PREFIX.key (cosign's encrypted format) and PREFIX.pub
  check HOST REPO DIGEST PUB           reads sha256-HEX.sig from the registry (plain HTTP) and
                                       prints the docker-reference of each good signature
  dsse FILE DIGEST PUB                 verifies each DSSE envelope (a line of FILE, an
                                       .intoto.jsonl) over its PAE; prints each predicateType
                                       of a statement about DIGEST
  attestations HOST REPO DIGEST PUB    reads the referrers tag schema's index sha256-HEX, and
                                       checks each attestation's envelope as dsse does
"""
import base64, hashlib, json, os, sys, urllib.request
import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

def password(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")[0].rstrip(b"\r")

def pem_body(text, kind):
    begin, end = "-----BEGIN %s-----" % kind, "-----END %s-----" % kind
    return base64.b64decode("".join(text.split(begin)[1].split(end)[0].split()))

def decrypt(key, pw):
    text = open(key).read()
    kind = "ENCRYPTED COSIGN PRIVATE KEY" if "COSIGN PRIVATE" in text else "ENCRYPTED SIGSTORE PRIVATE KEY"
    doc = json.loads(pem_body(text, kind))
    assert doc["kdf"]["name"] == "scrypt" and doc["cipher"]["name"] == "nacl/secretbox", doc
    p = doc["kdf"]["params"]
    assert (p["N"], p["r"], p["p"]) == (32768, 8, 1), p
    k = hashlib.scrypt(pw, salt=base64.b64decode(doc["kdf"]["salt"]), n=32768, r=8, p=1,
                       maxmem=64 * 1024 * 1024, dklen=32)
    der = nacl.secret.SecretBox(k).decrypt(base64.b64decode(doc["ciphertext"]),
                                           base64.b64decode(doc["cipher"]["nonce"]))
    return serialization.load_der_private_key(der, password=None)

def generate(prefix, pw):
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    salt, nonce = os.urandom(32), os.urandom(24)
    k = hashlib.scrypt(pw, salt=salt, n=32768, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)
    box = nacl.secret.SecretBox(k).encrypt(der, nonce).ciphertext  # tag then ciphertext
    doc = {"kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1},
                   "salt": base64.b64encode(salt).decode()},
           "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
           "ciphertext": base64.b64encode(box).decode()}
    b64 = base64.b64encode(json.dumps(doc).encode()).decode()
    lines = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    with open(prefix + ".key", "w") as f:
        f.write("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n%s\n"
                "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n" % lines)
    with open(prefix + ".pub", "wb") as f:
        f.write(public_pem(key))

def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)

def get(url, accept=None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()

def check(host, repo, digest, pub):
    key = serialization.load_pem_public_key(open(pub, "rb").read())
    tag = "sha256-" + digest.split(":")[1] + ".sig"
    base = "http://%s/v2/%s" % (host, repo)
    m = json.loads(get(base + "/manifests/" + tag, "application/vnd.oci.image.manifest.v1+json"))
    assert m["mediaType"] == "application/vnd.oci.image.manifest.v1+json", m
    for layer in m["layers"]:
        assert layer["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json", layer
        payload = get(base + "/blobs/" + layer["digest"])
        assert "sha256:" + hashlib.sha256(payload).hexdigest() == layer["digest"]
        sig = base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"])
        key.verify(sig, payload, ec.ECDSA(hashes.SHA256()))  # raises when it does not verify
        doc = json.loads(payload)
        assert set(doc) == {"critical", "optional"}, doc
        c = doc["critical"]
        assert set(c) == {"identity", "image", "type"}, c
        assert c["type"] == "cosign container image signature", c
        assert c["image"]["docker-manifest-digest"] == digest, c
        print(c["identity"]["docker-reference"])

def pae(payload_type, payload):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)

def envelope(text, digest, key):
    env = json.loads(text)
    payload = base64.b64decode(env["payload"])
    assert env["payloadType"] == "application/vnd.in-toto+json", env["payloadType"]
    assert len(env["signatures"]) == 1, env["signatures"]
    sig = base64.b64decode(env["signatures"][0]["sig"])
    key.verify(sig, pae(env["payloadType"], payload), ec.ECDSA(hashes.SHA256()))  # raises
    st = json.loads(payload)
    assert st["_type"] == "https://in-toto.io/Statement/v1", st["_type"]
    return st

def about(st, digest):
    return digest.split(":")[1] in [s["digest"]["sha256"] for s in st["subject"]]

def dsse(path, digest, pub):
    key = serialization.load_pem_public_key(open(pub, "rb").read())
    for line in open(path):
        if line.strip():
            st = envelope(line, digest, key)
            if about(st, digest):
                print(st["predicateType"])

def attestations(host, repo, digest, pub):
    key = serialization.load_pem_public_key(open(pub, "rb").read())
    base = "http://%s/v2/%s" % (host, repo)
    index = json.loads(get(base + "/manifests/sha256-" + digest.split(":")[1],
                           "application/vnd.oci.image.index.v1+json"))
    for d in index["manifests"]:
        if d.get("artifactType") != "application/vnd.in-toto+json":
            continue
        m = json.loads(get(base + "/manifests/" + d["digest"], d["mediaType"]))
        assert m["subject"]["digest"] == digest, m["subject"]
        assert m["config"]["mediaType"] == "application/vnd.oci.empty.v1+json", m["config"]
        layer = m["layers"][0]
        assert layer["mediaType"] == "application/vnd.dsse.envelope.v1+json", layer
        body = get(base + "/blobs/" + layer["digest"])
        assert "sha256:" + hashlib.sha256(body).hexdigest() == layer["digest"]
        st = envelope(body, digest, key)
        assert about(st, digest), st["subject"]
        print(st["predicateType"])

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "decrypt":
        sys.stdout.write(public_pem(decrypt(args[0], password(args[1]))).decode())
    elif cmd == "generate":
        generate(args[0], password(args[1]))
    elif cmd == "check":
        check(*args)
    elif cmd == "dsse":
        dsse(*args)
    elif cmd == "attestations":
        attestations(*args)
    else:
        sys.exit("unknown command " + cmd)
