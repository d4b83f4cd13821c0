package exchange

import (
	"crypto/ed25519"
	"strconv"
)

// mediaTypePrefix and mediaTypeSuffix make the payload type of a signed
// document; manifestType is the payload type of a bundle's manifest.
const (
	mediaTypePrefix = "application/vnd.homeward."
	mediaTypeSuffix = "+json"
	manifestKind    = "bundle-manifest"
	manifestType    = mediaTypePrefix + manifestKind + mediaTypeSuffix
)

// pae is DSSE's pre-authentication encoding:
// "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in ASCII
// decimal. Signing the type with the body keeps a signature made for one
// kind of content from being replayed as another.
func pae(payloadType string, body []byte) []byte {
	b := make([]byte, 0, 32+len(payloadType)+len(body))
	b = append(b, "DSSEv1 "...)
	b = strconv.AppendInt(b, int64(len(payloadType)), 10)
	b = append(b, ' ')
	b = append(b, payloadType...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, ' ')
	b = append(b, body...)
	return b
}

func (id *Identity) signPAE(payloadType string, body []byte) []byte {
	return ed25519.Sign(id.sign, pae(payloadType, body))
}

func verifyPAE(key ed25519.PublicKey, payloadType string, body, sig []byte) bool {
	if len(key) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(key, pae(payloadType, body), sig)
}
