namespace HvoLab.Litmus;

/// <summary>Turns a herd7 state line into an <see cref="ILitmusFinalState"/>, so herd's reachable states can
/// be compared with (or checked against conditions like) HvoLab's own final states.</summary>
public static class ExpectedStateBinding
{
    public static LitmusFinalState ToFinalState(this ExpectedState state, LitmusTest test, ILitmusAddressMap map)
    {
        var f = new LitmusFinalState();
        foreach (var atom in state.Atoms)
        {
            switch (atom)
            {
                case EqualsCondition { Location: RegisterLocation r } e:
                    f.WithRegister(r.Proc, "X" + LitmusThreadState.ParseName(r.Register).Number, LitmusValues.Resolve(e.Value, test, map, null));
                    break;
                case EqualsCondition e:
                    f.WithMemory(e.Location, LitmusValues.Resolve(e.Value, test, map, e.Location is PteLocation p ? p.Symbol : null));
                    break;
                case FaultCondition fc:
                    var idx = fc.Label is null ? -1 : test.Thread(fc.Proc).Labels.GetValueOrDefault(fc.Label, -1);
                    var kind = fc.FaultType is { } t && Enum.TryParse<LitmusFaultKind>(t.Replace("MMU:", ""), out var k) ? k : LitmusFaultKind.Translation;
                    f.WithFault(new LitmusFault(fc.Proc, idx, fc.Label, 0, fc.Target, kind));
                    break;
                case NotCondition { Inner: FaultCondition }:
                    break; // herd prints absent faults as ~fault(...): nothing to record
                default:
                    throw new LitmusExecutionException($"{test.Name}: cannot bind state atom {atom}");
            }
        }
        return f;
    }
}
