package homeward

import "context"

// Actor is who performs an operation: the signed-in user, or the system itself
// (migrations, the demo loader, the first-start administrator).
type Actor struct {
	UserID int64
	OrgID  int64
	Role   Role
	System bool
}

type actorKey struct{}

// NewContextWithActor returns a context carrying the actor. Services read it to
// authorise, to scope queries to the actor's organisation and to sign events.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor of ctx; the zero Actor when there is none.
func ActorFromContext(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// ActorOf is a shortcut for the actor of a user.
func ActorOf(u *User) Actor {
	return Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
}

// SystemActor is the actor of work Homeward does on its own behalf.
func SystemActor() Actor { return Actor{System: true, Role: RoleAdmin} }
